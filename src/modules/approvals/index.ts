export * from './approval.entity';
export * from './approvals.module';
export * from './approvals.service';
export * from './tool-risk';
export * from './approval-policy.service';
