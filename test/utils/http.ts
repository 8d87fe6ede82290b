import { INestApplication } from '@nestjs/common';

export interface HttpAnswer {
  status: number;
  body: unknown;
  text: string;
  contentType: string | null;
}

/** GET against the app's loopback listener. */
export async function httpGet(app: INestApplication, path: string): Promise<HttpAnswer> {
  const url = new URL(path, await app.getUrl()).toString().replace('[::1]', '127.0.0.1');
  const response = await fetch(url);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, contentType: response.headers.get('content-type') };
}
