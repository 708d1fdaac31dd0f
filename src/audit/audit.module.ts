import { Global, Module } from '@nestjs/common';
import { AuditBarrierPlugin } from './audit-barrier.plugin.js';
import { AuditDenialsPlugin } from './audit-denials.plugin.js';
import { AuditLogService } from './audit-log.service.js';
import { AuditRecorder } from './audit-recorder.js';
import { AuditResolver } from './audit.resolver.js';
import { AuditService } from './audit.service.js';

@Global()
@Module({
  providers: [
    AuditService,
    { provide: AuditRecorder, useExisting: AuditService },
    AuditLogService,
    AuditResolver,
    AuditDenialsPlugin,
    AuditBarrierPlugin,
  ],
  exports: [AuditRecorder, AuditService],
})
export class AuditModule {}
