import { Option } from 'commander';

export type OutputFormat = 'text' | 'wide' | 'json' | 'yaml' | 'tree' | 'dot' | 'mermaid';

export const outputOption = () =>
  new Option('-o, --output <format>', 'output format (tree, dot and mermaid draw the path graph)')
    .choices(['text', 'wide', 'json', 'yaml', 'tree', 'dot', 'mermaid'])
    .default('text');
