import { sectionName, type ConnectorDefinition } from './define.ts';
import { DRAFT_07, type JsonSchema } from './json_schema.ts';

/** What `<connector> metadata` prints: the shape of Fluvio's connector guide. */
export interface ConnectorMetadata {
  name: string;
  /** 'Source' or 'Sink', capitalized as in Fluvio's guide. */
  direction: 'Source' | 'Sink';
  /** The connector's options as a JSON Schema (draft-07) document. */
  schema: JsonSchema;
  version: string;
  description: string;
}

/**
 * The metadata document, from the definition alone: never from a config, so no secret (or any
 * user value) can appear in it.
 */
export function connectorMetadata(def: ConnectorDefinition): ConnectorMetadata {
  return {
    name: def.name,
    direction: def.direction === 'source' ? 'Source' : 'Sink',
    schema: { $schema: DRAFT_07, title: def.options.title ?? titleOf(sectionName(def)), ...def.options },
    version: def.version,
    description: def.description,
  };
}

/** 'http' → 'HttpOpts' (the title Fluvio's generated schemas carry). */
function titleOf(section: string): string {
  return section.split(/[-_]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('') + 'Opts';
}
