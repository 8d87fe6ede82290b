import { Module } from '@nestjs/common';
import { ActivityLogService } from './activity-log.service';
import { ConversationSettingsCommands } from './conversation-settings.commands';
import { ConversationSettingsService } from './conversation-settings.service';
import { ProjectPaths } from './project-paths.service';
import { SessionActivityRepository } from './session-activity.repository';
import { SessionRepository } from './session.repository';
import { SessionsMetrics } from './sessions.metrics';
import { SessionsService } from './sessions.service';
import { SessionsStatus } from './sessions-status.service';

/** Sessions: the store, the lifecycle, the activity log, and project folder confinement. */
@Module({
  providers: [
    SessionRepository,
    SessionActivityRepository,
    SessionsService,
    ActivityLogService,
    ProjectPaths,
    SessionsMetrics,
    SessionsStatus,
    ConversationSettingsService,
    ConversationSettingsCommands,
  ],
  exports: [SessionsService, ActivityLogService, ConversationSettingsService, ProjectPaths],
})
export class SessionsModule {}
