/** A record the decoder could read as text but not as a record; it is quarantined, not fatal. */
export class DecodeFailure {
  constructor(
    /** Why, with its location, e.g. `line 12: not valid JSON (Unexpected token)`. */
    readonly reason: string,
    /** The offending text, cut to a readable length. */
    readonly raw: string,
  ) {}
}
