import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { defaultMapping, loadMappingFile, type ClaimMapping } from './mapping-file.js';
import type { CardProfile } from './profile.js';
import { builtInProfiles } from './profiles/index.js';

/**
 * Holds the claim mapping in force and replaces it when the administrator edits the file.
 * A broken edit never takes effect: the last good mapping stays and the error is reported,
 * so a typo cannot lock citizens out or release the wrong claims.
 */

export interface MappingRegistryOptions {
  /** The claim-mapping file; without one, the built-in profiles apply unchanged. */
  file?: string;
  /** Built-in profiles the file overrides and extends (tests pass their own). */
  builtIns?: readonly CardProfile[];
  /** Told of every refused reload; the previous mapping stays in force. */
  onError?: (error: ConfigError) => void;
  /** Told of every mapping that took effect after a reload. */
  onReload?: (mapping: ClaimMapping) => void;
  /** Quiet period after a file event before reloading: editors write in several steps. */
  watchDebounceMs?: number;
}

export type ReloadResult =
  | { ok: true; mapping: ClaimMapping }
  | { ok: false; error: ConfigError; /** Still in force. */ mapping: ClaimMapping };

export class MappingRegistry {
  readonly file: string | undefined;
  readonly #builtIns: readonly CardProfile[];
  readonly #options: MappingRegistryOptions;
  #current: ClaimMapping;
  #loadedAt: Date;
  #lastRefusal: { error: ConfigError; at: Date } | undefined;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;

  /**
   * Loads the file once. At start a broken file is fatal, unlike on reload.
   *
   * @throws ConfigError naming file, line and setting when the file is not a valid mapping
   */
  constructor(options: MappingRegistryOptions = {}) {
    this.file = options.file;
    this.#builtIns = options.builtIns ?? builtInProfiles;
    this.#options = options;
    this.#current =
      this.file === undefined
        ? defaultMapping(this.#builtIns)
        : loadMappingFile(this.file, this.#builtIns);
    this.#loadedAt = new Date();
  }

  /** When the mapping in force was loaded (at start or by the last good reload). */
  get loadedAt(): Date {
    return this.#loadedAt;
  }

  /** The last refused reload, for the admin page; cleared by a good one. */
  get lastRefusal(): { error: ConfigError; at: Date } | undefined {
    return this.#lastRefusal;
  }

  /** The mapping in force. */
  get current(): ClaimMapping {
    return this.#current;
  }

  /** Re-reads the file; keeps the mapping in force when the new one is broken. */
  reload(): ReloadResult {
    if (this.file === undefined) return { ok: true, mapping: this.#current };
    try {
      this.#current = loadMappingFile(this.file, this.#builtIns);
      this.#loadedAt = new Date();
      this.#lastRefusal = undefined;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.#lastRefusal = { error, at: new Date() };
      this.#options.onError?.(error);
      return { ok: false, error, mapping: this.#current };
    }
    this.#options.onReload?.(this.#current);
    return { ok: true, mapping: this.#current };
  }

  /**
   * Reloads whenever the file changes, reporting through `onReload` and `onError`. The
   * directory is watched, not the file, because editors and configuration tools replace
   * files by renaming a new one over them.
   */
  watch(): void {
    if (this.file === undefined || this.#watcher !== undefined) return;
    const base = path.basename(this.file);
    const debounceMs = this.#options.watchDebounceMs ?? 100;
    this.#watcher = watch(path.dirname(this.file), (_event, filename) => {
      if (filename !== null && filename !== base) return;
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.reload(), debounceMs);
    });
  }

  /** Stops watching; call it on shutdown, the watcher keeps the process alive. */
  close(): void {
    clearTimeout(this.#timer);
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
