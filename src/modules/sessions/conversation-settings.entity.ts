import { Column, Entity, PrimaryColumn } from 'typeorm';

export const VERBOSITIES = ['quiet', 'normal', 'verbose'] as const;
/** How much of a turn the phone sees: quiet (answers only), normal (one live progress message), verbose (every step). */
export type Verbosity = (typeof VERBOSITIES)[number];

/** The kinds of message a conversation may mute (urgent ones never are). */
export const MUTABLE_URGENCIES = ['important', 'informational'] as const;
export type MutableUrgency = (typeof MUTABLE_URGENCIES)[number];

/** What one conversation chose: how much it sees of a turn, and which kinds buzz the phone. */
@Entity({ name: 'conversation_settings', withoutRowid: true })
export class ConversationSettingsEntity {
  @PrimaryColumn({ name: 'conversation_key', type: 'varchar' })
  conversationKey!: string;

  @Column({ type: 'varchar', default: 'normal' })
  verbosity!: Verbosity;

  /** The real path of the project folder the conversation is bound to, once it is. */
  @Column({ type: 'varchar', nullable: true })
  project!: string | null;

  /** Kinds delivered without a notification, as JSON (`["informational"]`). */
  @Column({ type: 'text', default: '[]' })
  muted!: string;

  @Column({ name: 'updated_at', type: 'varchar' })
  updatedAt!: string;
}
