/**
 * Why a value or record cannot be loaded. Returned (not thrown) from the hot path, since rejects
 * are routine data problems rather than failures of the program.
 */
export class Rejection {
  constructor(readonly reason: string) {}
}
