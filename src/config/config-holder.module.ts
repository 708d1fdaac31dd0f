import { DynamicModule, Global, Module } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { AppConfig } from './app-config.js';
import { APP_CONFIG } from './config.tokens.js';

/** Provides the validated configuration and the time source to every module (the app, the CLI's contexts, the demo). */
@Global()
@Module({})
export class ConfigHolderModule {
  static register(config: AppConfig, clock: Clock): DynamicModule {
    return {
      module: ConfigHolderModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: Clock, useValue: clock },
      ],
      exports: [APP_CONFIG, Clock],
    };
  }
}
