import { Global, Module } from '@nestjs/common';
import { AuditRecorder } from './audit-recorder.js';
import { AuditService } from './audit.service.js';

@Global()
@Module({
  providers: [AuditService, { provide: AuditRecorder, useExisting: AuditService }],
  exports: [AuditRecorder, AuditService],
})
export class AuditModule {}
