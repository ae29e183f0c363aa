import type { ConnectorDefinition, Direction } from '../core';
import type { ConsumerOptions, ProducerOptions } from './client-options';
import type { ConfigIssue } from './errors';
import type { TopicConfig } from './topic-config';
import type { TransformStep } from '../transforms/schema';

/**
 * Which Fluvio config format a file uses: `legacy` = `version`/`name`/`type`/`topic`/`parameters`
 * (FC config.rs); otherwise its `apiVersion` (`meta` without `apiVersion` = `0.0.0`).
 */
export type ConfigFormat = 'legacy' | '0.0.0' | '0.1.0' | '0.2.0';

/** Where records go. */
export interface TopicSpec {
  name: string;
  /**
   * Create the topic when it is missing. apiVersion configs: yes (as Fluvio) unless
   * `meta.create-topic: false`; legacy configs: only with `create_topic: true`.
   */
  create: boolean;
  /** The 0.2.0 `meta.topic` object, validated and kept (not used by the local store yet). */
  config?: TopicConfig;
}

/**
 * A connector config, validated and normalised: the same shape for both Fluvio formats.
 *
 * @example
 * ```ts
 * {
 *   file: 'configs/cat-facts.yaml', format: 'legacy', name: 'cat-facts', type: 'http-source',
 *   version: 'v1', direction: 'source', definition: httpSource,
 *   config: { endpoint: 'https://catfact.ninja/fact', interval: 10000, ... },
 *   topic: { name: 'cat-facts', create: true }, secrets: [], transforms: [],
 * }
 * ```
 */
export interface ConnectorSpec {
  /** Path of the config file as given by the caller. */
  file: string;
  /**
   * Directory that relative paths in the config (SmartModule `.wasm` files) resolve against: the
   * directory of {@link file}, or what the caller said (`ParseOptions.baseDir`). Absent in specs
   * built by hand: then the directory of {@link file}.
   */
  baseDir?: string;
  format: ConfigFormat;
  /** `meta.name` / legacy `name`: 1-64 characters `[A-Za-z0-9_-]`, starting alphanumeric. */
  name: string;
  /** Canonical connector type, e.g. `http-source` for legacy `http`. */
  type: string;
  /** Connector package version as written (`0.3.3`, `latest`, `v1`). */
  version: string;
  direction: Direction;
  /** The registered connector type. */
  definition: ConnectorDefinition;
  /** Output of `definition.schema`: defaults applied, durations in ms. */
  config: unknown;
  topic: TopicSpec;
  /** `meta.producer` / legacy `producer`: validated and kept, not used yet. */
  producer?: ProducerOptions;
  /** `meta.consumer` / legacy `consumer`: where a sink starts and whether it commits (see `sinkConsumerOf`). */
  consumer?: ConsumerOptions;
  /** Declared secret names (values are never kept here). */
  secrets: string[];
  /**
   * `transforms:` (Fluvio SmartModules), validated against the transforms registry; run on every
   * record the source emits by the runtime (lib/runtime/transform-stage.ts). Relative `.wasm` paths
   * resolve against the directory of {@link file}.
   */
  transforms: TransformStep[];
  /**
   * Located warnings (`severity: 'warning'`), sorted by position: YAML warnings, unused secrets,
   * the connector's own (`definition.warnings`), and for a deployment legacy secret defaults.
   * `connector validate` prints them, the runtime logs them.
   */
  warnings: ConfigIssue[];
  /**
   * Replaces the values of the secrets rendered into this spec by `***` (absent when none was):
   * the runtime passes every log line through it. A function, so the values are never data of the spec.
   */
  redact?: (text: string) => string;
}
