import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access.guard.js';
import { AuthenticationService } from './authentication.service.js';
import { CaslAbilityFactory } from './casl-ability.factory.js';

@Global()
@Module({
  providers: [CaslAbilityFactory, AuthenticationService, { provide: APP_GUARD, useClass: AccessGuard }],
  exports: [CaslAbilityFactory, AuthenticationService],
})
export class AccessPolicyModule {}
