// An answer of the Kubernetes API other than 2xx, with the Status object's reason kept so
// callers can tell a conflict (409) or an expired resourceVersion (410) from anything else.

export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly statusCode: number,
    /** `Status.reason` (`Conflict`, `NotFound`, `Expired`, …) when the server sent one. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }

  get isNotFound(): boolean {
    return this.statusCode === 404;
  }

  get isConflict(): boolean {
    return this.statusCode === 409;
  }

  get isAlreadyExists(): boolean {
    return this.statusCode === 409 && this.reason === 'AlreadyExists';
  }

  /** The resourceVersion asked for is too old: list again. */
  get isGone(): boolean {
    return this.statusCode === 410 || this.reason === 'Expired';
  }
}

/** True for errors worth retrying at the HTTP level: not a client mistake. */
export function isRetryableApiError(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true; // network failures, timeouts
  return err.statusCode === 429 || err.statusCode >= 500 || err.isConflict;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.isNotFound;
}

export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.isConflict;
}
