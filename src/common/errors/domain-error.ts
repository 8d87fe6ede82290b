/**
 * Every error domain and the codes it raises. Each module adds its own domain next to its error
 * class (declaration merging), so the chat edge's answer map is checked for completeness by the
 * compiler: a new code without an answer does not build.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by each module
export interface ErrorCodes {}

export type ErrorDomain = keyof ErrorCodes;

/**
 * Base of every domain error: the domain it belongs to, a stable machine-readable `code`, and a
 * message for logs. Edges (chat answers, HTTP) translate domain and code; the message may hold
 * details (URLs, paths) that never reach a person. Services never throw HTTP exceptions.
 */
export abstract class DomainError<D extends ErrorDomain = ErrorDomain> extends Error {
  protected constructor(
    readonly domain: D,
    readonly code: ErrorCodes[D],
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
