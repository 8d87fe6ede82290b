import { Module } from '@nestjs/common';
import { ActivityLogService } from './activity-log.service';
import { ProjectPaths } from './project-paths';
import { SessionRepository } from './session.repository';
import { SessionsMetrics } from './sessions.metrics';
import { SessionsService } from './sessions.service';

@Module({
  providers: [
    SessionRepository,
    SessionsService,
    ActivityLogService,
    ProjectPaths,
    SessionsMetrics,
  ],
  exports: [SessionsService, ActivityLogService, ProjectPaths, SessionRepository],
})
export class SessionsModule {}
