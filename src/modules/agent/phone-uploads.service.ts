import { lstatSync, mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../common/config';
import { isWithin } from '../../common/paths';
import { Conversation } from '../../common/conversations';
import { InboundAttachment, SignalTransport } from '../signal';
import { PromptImage } from './agent-runner.port';
import { UploadError } from './upload.errors';

/** The folder in the project where files from the phone are saved. */
export const UPLOADS_FOLDER = 'phone-uploads';
/** Pictures the model can look at; other files are saved into the project. */
const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

export type PreparedPrompt = { prompt: string; images: PromptImage[] } | { refusal: string };

/**
 * Files sent with a prompt: pictures go to the model as image content of the prompt; any other
 * file is saved in the project's `phone-uploads` folder under a safe name and named in the
 * prompt. Over `UPLOAD_MAX_BYTES`, the message is refused and nothing is passed on.
 */
@Injectable()
export class PhoneUploads {
  constructor(
    private readonly transport: SignalTransport,
    private readonly config: AppConfig,
  ) {}

  async prepare(
    text: string,
    attachments: InboundAttachment[],
    from: Conversation,
    projectPath: string,
  ): Promise<PreparedPrompt> {
    const limit = this.config.agent.uploadMaxBytes;
    const tooBig = (name: string, size: number): PreparedPrompt => ({
      refusal: `"${name}" is ${megabytes(size)}: files from the phone may be at most ${megabytes(limit)}. Nothing was passed on to Claude; send a smaller file, or put it in the project at the desk.`,
    });
    for (const file of attachments) {
      if (file.size !== null && file.size > limit)
        return tooBig(file.filename ?? 'a file', file.size);
    }
    const images: PromptImage[] = [];
    const saved: string[] = [];
    const needsFolder = attachments.some((file) => !IMAGE_TYPES.has(file.contentType));
    const folder = needsFolder ? uploadsFolder(projectPath) : '';
    for (const file of attachments) {
      const data = await this.transport.fetchAttachment(file.id, from);
      if (data.length > limit) return tooBig(file.filename ?? 'a file', data.length);
      if (IMAGE_TYPES.has(file.contentType)) {
        images.push({ mediaType: file.contentType, data: data.toString('base64') });
      } else {
        saved.push(save(folder, safeName(file.filename, file.id), data));
      }
    }
    const named = saved.length
      ? `\n\n(Files from the phone, saved in the project: ${saved.join(', ')})`
      : '';
    const asked = text.trim() || (images.length ? 'Here is a picture.' : 'Here are files.');
    return { prompt: asked + named, images };
  }
}

/** A file name from the phone made safe: no folders, no leading dots, only plain characters. */
export function safeName(filename: string | null, id: string): string {
  const base = (filename ?? '').split(/[\\/]/).pop() ?? '';
  const clean = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._]+/, '');
  return clean.slice(0, 100) || `file-${id.replace(/[^A-Za-z0-9]/g, '')}`;
}

/**
 * The project's phone-uploads folder, made if missing, by its real path: a folder that leads
 * outside the project (a symlink a repository shipped, say) is refused, and nothing is written.
 */
function uploadsFolder(projectPath: string): string {
  const project = realpathSync(projectPath);
  const folder = join(project, UPLOADS_FOLDER);
  if (!present(folder)) mkdirSync(folder);
  let real: string;
  try {
    real = realpathSync(folder);
  } catch {
    real = ''; // a link to nowhere
  }
  if (!real || !isWithin(real, project) || real === project || !lstatSync(real).isDirectory()) {
    throw new UploadError('FOLDER_OUTSIDE_PROJECT', `${folder} resolves to ${real || 'nothing'}`);
  }
  return real;
}

/** Whether anything (a link to nowhere included) has this name. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Saves in the uploads folder without overwriting; returns the project-relative path. */
function save(folder: string, name: string, data: Buffer): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  let candidate = name;
  for (let n = 1; present(join(folder, candidate)); n++) candidate = `${stem}-${n}${ext}`;
  writeFileSync(join(folder, candidate), data, { flag: 'wx' }); // never through a link
  return `${UPLOADS_FOLDER}/${candidate}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}
