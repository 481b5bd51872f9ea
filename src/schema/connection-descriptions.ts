import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type PothosTypeConfig, type SchemaTypes } from '@pothos/core';

/**
 * Descriptions for the connection and edge types that plugin-relay and plugin-prisma generate, one
 * per list field, and for their fields (totalCount has no option for one). Everything in
 * schema.graphql has a description (the schema lint requires it); these are the same everywhere.
 */

const CONNECTION = 'A page of a list (a Relay cursor connection): `edges` holds the items, `pageInfo` says how to fetch the next or previous page.';
const EDGE = 'One item of a page, with the cursor that marks its place in the list.';

const CONNECTION_FIELDS: Record<string, string> = {
  edges: 'The items of this page, in the order of the list.',
  pageInfo: 'Whether there are more pages, and the cursors to fetch them with.',
  totalCount: 'How many items the whole list has, over all pages, with the same filters.',
};

const EDGE_FIELDS: Record<string, string> = {
  node: 'The item.',
  cursor: 'Opaque position of this item: pass it as `after` (or `before`) to continue from here.',
};

const isConnection = (typeName: string) => typeName.endsWith('Connection');
const isEdge = (typeName: string) => typeName.endsWith('ConnectionEdge');

export class ConnectionDescriptionsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override onTypeConfig(typeConfig: PothosTypeConfig): PothosTypeConfig {
    if (typeConfig.kind !== 'Object' || typeConfig.description) return typeConfig;
    if (isEdge(typeConfig.name)) return { ...typeConfig, description: EDGE };
    if (isConnection(typeConfig.name)) return { ...typeConfig, description: CONNECTION };
    return typeConfig;
  }

  override onOutputFieldConfig(fieldConfig: PothosOutputFieldConfig<Types>): PothosOutputFieldConfig<Types> {
    if (fieldConfig.description) return fieldConfig;
    const descriptions = isEdge(fieldConfig.parentType) ? EDGE_FIELDS : isConnection(fieldConfig.parentType) ? CONNECTION_FIELDS : {};
    const description = descriptions[fieldConfig.name];
    return description ? { ...fieldConfig, description } : fieldConfig;
  }
}

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      connectionDescriptions: ConnectionDescriptionsPlugin<Types>;
    }
  }
}

/** The plugin's name, for the builder's `plugins` list (as Pothos's own plugins export theirs). */
const pluginName = 'connectionDescriptions' as const;
SchemaBuilder.registerPlugin(pluginName, ConnectionDescriptionsPlugin);
export default pluginName;
