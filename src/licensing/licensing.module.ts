import { Module } from '@nestjs/common';
import { LicenseEnforcer } from './license-enforcer.js';
import { LicensingResolver } from './licensing.resolver.js';
import { LicensingService } from './licensing.service.js';

@Module({
  providers: [LicensingService, LicenseEnforcer, LicensingResolver],
  exports: [LicenseEnforcer],
})
export class LicensingModule {}
