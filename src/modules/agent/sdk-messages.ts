import type { SDKMessage, SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { AgentEvent, PromptImage } from './agent-runner.port';

interface ContentBlock {
  type: string;
  id?: string;
  name?: string;
  input?: unknown;
  text?: string;
  tool_use_id?: string;
  is_error?: boolean;
}

export function toEvents(message: SDKMessage): AgentEvent[] {
  switch (message.type) {
    case 'system':
      if (message.subtype === 'init') return [{ type: 'init', sessionId: message.session_id }];
      if (message.subtype === 'api_retry') {
        return [
          {
            type: 'retry',
            attempt: message.attempt,
            maxRetries: message.max_retries,
            status: message.error_status ?? null,
          },
        ];
      }
      return [];
    case 'assistant': {
      const content = message.message.content as ContentBlock[];
      const tools = content.filter((block) => block.type === 'tool_use');
      if (tools.length === 0) {
        const text = content.find((block) => block.type === 'text')?.text;
        return text ? [{ type: 'text', text }] : [];
      }
      return tools.map((tool) => ({
        type: 'tool',
        id: tool.id ?? '',
        name: tool.name ?? 'tool',
        input: (tool.input ?? {}) as Record<string, unknown>,
      }));
    }
    case 'user': {
      const content = message.message.content;
      if (!Array.isArray(content)) return [];
      return (content as ContentBlock[])
        .filter((block) => block.type === 'tool_result' && block.tool_use_id)
        .map((block) => ({ type: 'tool_done', id: block.tool_use_id ?? '', ok: !block.is_error }));
    }
    case 'result': {
      const success = message.subtype === 'success';
      return [
        {
          type: 'result',
          ok: success && !message.is_error,
          subtype: message.subtype,
          sessionId: message.session_id ?? null,
          text: success ? message.result : '',
          errors: 'errors' in message && Array.isArray(message.errors) ? message.errors : [],
          apiErrorStatus:
            (message as { api_error_status?: number | null }).api_error_status ?? null,
          costUsd: message.total_cost_usd ?? null,
          durationMs: message.duration_ms ?? null,
          numTurns: message.num_turns ?? null,
        },
      ];
    }
    default:
      return [];
  }
}

/** The prompt as one user message whose content is the pictures, then the text. */
export async function* withImages(
  prompt: string,
  images: PromptImage[],
): AsyncGenerator<SDKUserMessage> {
  yield {
    type: 'user',
    parent_tool_use_id: null,
    message: {
      role: 'user',
      content: [
        ...images.map((image) => ({
          type: 'image' as const,
          source: {
            type: 'base64' as const,
            media_type: image.mediaType as 'image/png',
            data: image.data,
          },
        })),
        { type: 'text' as const, text: prompt },
      ],
    },
  };
}
