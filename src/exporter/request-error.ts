/**
 * A `/probe` request the exporter refuses before probing anything: the HTTP status (400 bad request, 403 a
 * target outside `allowedTargets`, 503 every slot busy) and one line saying what to change, sent as the
 * plain-text body (never a stack).
 */
export class ProbeRequestError extends Error {
  override name = 'ProbeRequestError';
  /**
   * @param status HTTP status code of the answer.
   * @param message one line naming the parameter and what is accepted.
   */
  constructor(
    readonly status: 400 | 403 | 503,
    message: string,
  ) {
    super(message);
  }
}
