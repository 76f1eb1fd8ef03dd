package io.canvasstate.contract;

/**
 * What a store can do, or can run into, beyond the common contract. A store's test declares its
 * capabilities by overriding {@link ContractSupport#capabilities()}. The tests that depend on one
 * are dynamic tests that exist only for the stores they apply to: a store never reports a
 * skipped contract test.
 */
public enum Capability {
  /**
   * Keys have types that another client can get wrong (a Redis string where a hash belongs).
   * The store's test implements {@link CanvasStoreContract#plantWrongType}, and the contract
   * checks that such a key fails the operations on its project with a {@code StoreException}
   * naming the key, without touching other projects.
   */
  TYPED_KEYS,

  /**
   * The store is backed by a repository ({@link io.canvasstate.persistence.Persistence}): a
   * project with unsaved changes does not expire, and an expired project comes back from the
   * repository when it is read. The lifetime tests, which expect written projects to vanish, do
   * not apply; the persistence tests check lifetimes instead.
   */
  DURABLE
}
