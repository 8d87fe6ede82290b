import 'reflect-metadata';
import { DataSource, EntityTarget } from 'typeorm';
import { ENTITIES } from '../../../src/common/database/entities';
import { Approval } from '../../../src/modules/approvals/approval.entity';
import { APPROVAL_COLUMNS, toApproval } from '../../../src/modules/approvals/approval.repository';
import { OutboxMessage } from '../../../src/modules/outbox/outbox-message.entity';
import { OUTBOX_COLUMNS } from '../../../src/modules/outbox/outbox.repository';
import { SessionActivity } from '../../../src/modules/sessions/session-activity.entity';
import { ACTIVITY_COLUMNS } from '../../../src/modules/sessions/session-activity.repository';
import { Session } from '../../../src/modules/sessions/session.entity';
import { SESSION_COLUMNS, toSession } from '../../../src/modules/sessions/session.repository';

/**
 * The schema is declared once, by the entities; the repositories write their SQL by hand for
 * speed. This holds each repository's column list and row mapper to TypeORM's metadata of its
 * entity, so a column added in one place and forgotten in another fails here.
 */
describe('each repository agrees with its entity', () => {
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: ENTITIES,
  });
  beforeAll(() => dataSource.initialize());
  afterAll(() => dataSource.destroy());

  const columns = (entity: EntityTarget<unknown>) =>
    dataSource
      .getMetadata(entity)
      .columns.map((c) => c.databaseName)
      .sort();
  const properties = (entity: EntityTarget<unknown>) =>
    dataSource
      .getMetadata(entity)
      .columns.map((c) => c.propertyName)
      .sort();
  const listed = (sql: string) =>
    sql
      .split(',')
      .map((c) => c.trim())
      .sort();

  it.each([
    ['approvals', Approval, APPROVAL_COLUMNS],
    ['sessions', Session, SESSION_COLUMNS],
    ['session_activity', SessionActivity, ACTIVITY_COLUMNS],
  ] as const)(
    '%s: the column list names every column of the entity, and no other',
    (_, entity, sql) => {
      expect(listed(sql)).toEqual(columns(entity));
    },
  );

  it('outbox_messages: the dispatcher reads every column but the bookkeeping of the send', () => {
    const read = listed(OUTBOX_COLUMNS);
    expect(columns(OutboxMessage).filter((c) => !read.includes(c))).toEqual([
      'error',
      'priority',
      'sent_at',
      'signal_timestamp',
      'state',
    ]);
    expect(read.filter((c) => !columns(OutboxMessage).includes(c))).toEqual([]);
  });

  /** A row with every column of the entity, each a value the mapper can read. */
  function rowOf(entity: EntityTarget<unknown>, overrides: Record<string, unknown> = {}) {
    const row: Record<string, unknown> = {};
    for (const column of dataSource.getMetadata(entity).columns) row[column.databaseName] = 1;
    return { ...row, ...overrides };
  }

  it('approvals: the mapper fills every property of the entity from its column', () => {
    const approval = toApproval(rowOf(Approval) as never);
    expect(Object.keys(approval).sort()).toEqual(properties(Approval));
    expect(Object.values(approval).filter((v) => v === undefined)).toEqual([]);
  });

  it('sessions: the mapper fills every property of the entity from its column', () => {
    const session = toSession(rowOf(Session, { context: '{}' }) as never);
    expect(Object.keys(session).sort()).toEqual(properties(Session));
    expect(Object.values(session).filter((v) => v === undefined)).toEqual([]);
  });
});
