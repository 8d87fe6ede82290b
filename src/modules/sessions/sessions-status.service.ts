import { Injectable } from '@nestjs/common';
import { StatusPart } from '../commands';
import { SessionsService } from './sessions.service';

/** The "Sessions" line of /status. */
@Injectable()
export class SessionsStatus {
  constructor(private readonly sessions: SessionsService) {}

  @StatusPart(30)
  counts(): string {
    const counts = this.sessions.countByStatus();
    return `Sessions: ${counts.ACTIVE} active, ${counts.PAUSED} paused, ${counts.CREATED} new`;
  }
}
