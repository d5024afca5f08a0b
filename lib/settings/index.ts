export { README_MARKERS, renderDefault, renderSettingsTables, withSettingsTables } from './markdown.js';
export {
  keyOf,
  keysOf,
  readSettings,
  type SettingIssue,
  type SettingSource,
  type SettingsRead,
} from './read.js';
export {
  CONTEXT_SETTINGS,
  ENV_SETTINGS,
  envValue,
  LEASE_MARGIN_SECONDS,
  MAX_CONCURRENT_SYNCS_BY_SOURCE,
  SETTINGS,
  type Setting,
  type SettingName,
  type Settings,
  type SettingValue,
} from './settings.js';
