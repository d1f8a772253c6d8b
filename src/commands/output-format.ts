import { Option } from 'commander';

export type OutputFormat = 'text' | 'wide' | 'json' | 'yaml';

export const outputOption = () =>
  new Option('-o, --output <format>', 'output format').choices(['text', 'wide', 'json', 'yaml']).default('text');
