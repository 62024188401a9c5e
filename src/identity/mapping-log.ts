import type { Logger } from '../observability/logger.js';
import type { MappingRegistryOptions } from './mapping-registry.js';

/**
 * The log lines of live mapping changes: a refused edit names file, line and setting (the
 * last good mapping stays in force), a good one says what took effect. Never personal data:
 * the mapping file holds rules, not people.
 */
export function mappingChangeLogging(
  logger: Logger,
): Pick<MappingRegistryOptions, 'onError' | 'onReload'> {
  return {
    onError: (error) =>
      logger.error(
        {
          event: 'claim_mapping.refused',
          file: error.file,
          line: error.line,
          setting: error.setting,
          reason: error.message,
        },
        'claim mapping edit refused; the last good mapping stays in force',
      ),
    onReload: (loaded) =>
      logger.info(
        {
          event: 'claim_mapping.reloaded',
          file: loaded.file,
          profiles: loaded.profiles.length,
          restrictedClients: loaded.clients.size,
        },
        'claim mapping reloaded',
      ),
  };
}
