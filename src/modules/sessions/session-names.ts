import { Session } from './session.entity';

/** The permission modes a session can run in (the Agent SDK's names). */
export const PERMISSION_MODES = ['default', 'acceptEdits', 'plan'] as const;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

/** The project folder's name, as the phone shows it. */
export function projectName(session: Pick<Session, 'projectPath'>): string {
  return session.projectPath.split('/').pop() ?? session.projectPath;
}

/** The session's permission mode, as `/mode` left it (default: ask). */
export function modeOf(session: Pick<Session, 'context'>): PermissionMode {
  const mode = session.context.permissionMode;
  return PERMISSION_MODES.includes(mode as PermissionMode) ? (mode as PermissionMode) : 'default';
}
