import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { Clock } from '../clock';
import { ReadinessCheck } from '../health';

/**
 * Readiness of the database: a one-row write, so a file that opens but no longer accepts
 * writes (disk full, read-only mount, closed connection) reads as down.
 */
@Injectable()
export class DatabaseHealthIndicator {
  constructor(
    private readonly dataSource: DataSource,
    private readonly indicators: HealthIndicatorService,
    private readonly clock: Clock,
  ) {}

  @ReadinessCheck('database')
  async check(key = 'database'): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    if (!this.dataSource.isInitialized) return indicator.down({ message: 'connection closed' });
    try {
      await this.dataSource.query(`UPDATE "health_probe" SET "checked_at" = ? WHERE "id" = 1`, [
        this.clock.nowIso(),
      ]);
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: error instanceof Error ? error.message : String(error) });
    }
  }
}
