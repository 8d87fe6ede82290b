/**
 * Base of every domain error: a stable machine-readable `code` plus a plain message. The edges
 * (chat replies, HTTP) translate codes; services never throw HTTP exceptions.
 */
export abstract class DomainError<Code extends string = string> extends Error {
  protected constructor(
    readonly code: Code,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
