// The loops as `run` assembles them, for tests: a manager without leader election, the loop
// added, started (caches synced, workers running).
import { addIssuerLoop, type IssuerLoop, type IssuerLoopOptions } from '../../src/controllers/issuerLoop.js';
import type { KeystoreController } from '../../src/controllers/keystore/controller.js';
import { addKeystoreLoop, type KeystoreLoopOptions } from '../../src/controllers/keystoreLoop.js';
import { Manager } from '../../src/k8s/manager.js';

export class RunningLoop<C> {
  constructor(
    readonly manager: Manager,
    readonly controller: C,
  ) {}

  hasSynced(): boolean {
    return this.manager.ready();
  }

  queueDepths(): Record<string, number> {
    return this.manager.queueDepths();
  }

  shutdown(): Promise<void> {
    return this.manager.shutdown();
  }
}

export type RunningIssuerLoop = RunningLoop<IssuerLoop>;
export type RunningKeystoreLoop = RunningLoop<KeystoreController>;

export async function runIssuerLoop(options: IssuerLoopOptions & { namespaces: readonly string[] }): Promise<RunningIssuerLoop> {
  const manager = new Manager({ api: options.api, namespaces: options.namespaces, logger: options.logger });
  const loop = addIssuerLoop(manager, options);
  await manager.start();
  return new RunningLoop(manager, loop);
}

export async function runKeystoreLoop(options: KeystoreLoopOptions & { namespaces: readonly string[] }): Promise<RunningKeystoreLoop> {
  const manager = new Manager({ api: options.api, namespaces: options.namespaces, logger: options.logger });
  const controller = addKeystoreLoop(manager, options);
  await manager.start();
  return new RunningLoop(manager, controller);
}
