import { Session, SessionsService, SessionStatus } from '../../src/modules/sessions';

/** The path through the lifecycle from CREATED to each status. */
const PATH: Record<SessionStatus, SessionStatus[]> = {
  CREATED: [],
  ACTIVE: ['ACTIVE'],
  PAUSED: ['ACTIVE', 'PAUSED'],
  TERMINATED: ['TERMINATED'],
};

/** Creates a session in project folder `project` and walks it to `status`. */
export async function sessionIn(
  sessions: SessionsService,
  status: SessionStatus,
  init: { conversationId?: string; project?: string; context?: Record<string, unknown> } = {},
): Promise<Session> {
  let session = await sessions.create({
    conversationId: init.conversationId ?? '+15550100001',
    project: init.project ?? '.',
    context: init.context,
  });
  for (const step of PATH[status]) session = await sessions.transition(session.id, step);
  return session;
}
