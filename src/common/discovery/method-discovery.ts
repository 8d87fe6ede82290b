import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';

/** A provider method that carries metadata under some key. */
export interface DiscoveredMethod<M> {
  metadata: M;
  /** `ClassName.method`, for logs and error messages. */
  owner: string;
  call(...args: unknown[]): unknown;
}

/**
 * Finds provider methods marked with a metadata key, across every module of the app. This is
 * how collectors (chat commands, status parts, readiness checks, boot steps) find what feature
 * modules declare without importing them.
 */
@Injectable()
export class MethodDiscovery {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  find<M>(key: string): DiscoveredMethod<M>[] {
    const found: DiscoveredMethod<M>[] = [];
    const seen = new Set<object>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance); // one instance can be exported under several tokens
      const prototype = Object.getPrototypeOf(instance) as Record<string, unknown> | null;
      if (!prototype || prototype === Object.prototype) continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const metadata = this.declared<M>(key, prototype, name);
        if (metadata === undefined) continue;
        found.push({
          metadata,
          owner: `${instance.constructor.name}.${name}`,
          // The instance's own method: a test double that overrides it keeps the declared role.
          call: (...args) => (instance[name] as (...a: unknown[]) => unknown).apply(instance, args),
        });
      }
    }
    return found;
  }

  /** The metadata on `name` where the class chain declares it (a subclass may override it). */
  private declared<M>(key: string, prototype: object, name: string): M | undefined {
    for (
      let p: object | null = prototype;
      p && p !== Object.prototype;
      p = Object.getPrototypeOf(p)
    ) {
      const method = Object.getOwnPropertyDescriptor(p, name)?.value as unknown;
      if (typeof method !== 'function') continue;
      const metadata = this.reflector.get<M | undefined>(key, method as () => unknown);
      if (metadata !== undefined) return metadata;
    }
    return undefined;
  }
}
