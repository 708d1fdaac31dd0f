import { Module } from '@nestjs/common';
import { BootstrapService } from './bootstrap.service.js';
import { OidcVerifier } from './oidc.verifier.js';
import { PrincipalsResolver } from './principals.resolver.js';
import { PrincipalsService } from './principals.service.js';

@Module({
  providers: [PrincipalsService, PrincipalsResolver, OidcVerifier, BootstrapService],
  exports: [PrincipalsService, BootstrapService],
})
export class PrincipalsModule {}
