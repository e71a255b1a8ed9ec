/** Thrown to the bearer when a push must be sent again later (overflow: 'redeliver'). */
export class PushDeferred extends Error {
  override readonly name = 'PushDeferred';
}
