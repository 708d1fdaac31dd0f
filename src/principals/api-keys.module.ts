import { Module } from '@nestjs/common';
import { ApiKeyVerifier } from './api-key.verifier.js';
import { ApiKeysResolver } from './api-keys.resolver.js';
import { ApiKeysService } from './api-keys.service.js';

@Module({
  providers: [ApiKeysService, ApiKeysResolver, ApiKeyVerifier],
  exports: [ApiKeysService],
})
export class ApiKeysModule {}
