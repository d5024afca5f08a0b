// Public entry of the Exchange simulator.
export type { SimulatorConfig, SimulatorConfigPatch } from './config.js';
export { SimMailbox, SimulatorMutationError } from './mailbox.js';
export type {
  FolderType,
  GroundTruthFolder,
  GroundTruthItem,
  GroundTruthMailbox,
  ItemType,
} from './model.js';
export type { AppliedMutation, MutationKind, MutationOptions } from './mutations.js';
export { type RunningSimulator, type StartSimulatorOptions, startSimulator } from './server.js';
export { Simulator, SimulatorNotFoundError, type SimulatorOptions } from './simulator.js';
export type { RequestLogEntry, StatsSnapshot } from './stats.js';
