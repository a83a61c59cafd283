import { ConfigError } from '../../errors.js';
import type { Store } from '../../store/types.js';
import { storeLocation } from '../config/support-flags.js';

/** The store flags every support-link command takes. */
export interface StoreCommandFlags {
  dataDir?: string;
  database?: string;
}

/** Help text of the store flags, shared by `invite` and `admin`. */
export const DATA_DIR_HELP = "serve's --data-dir: the SQLite store under DIR (or ICE_DOCTOR_DATA_DIR)";
export const DATABASE_HELP = "serve's --database: the PostgreSQL store at URL (or ICE_DOCTOR_DATABASE_URL)";

/**
 * Runs `work` on the store of `--data-dir` / `--database` (or their variables) and closes it after, also when
 * `work` throws.
 * @throws ConfigError naming the flag (no store given, both given, a bad URL, an unusable store).
 */
export async function withStore<T>(flags: StoreCommandFlags, work: (store: Store) => Promise<T>): Promise<T> {
  const location = storeLocation(flags);
  if (location === null)
    throw new ConfigError(
      '--data-dir: which store? Give --data-dir DIR or --database URL, the one `serve` uses',
    );
  const { openStore } = await import('../../store/open-store.js');
  const store = await openStore(location);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}
