package io.canvasstate.contract;

/**
 * What a store can do, or can run into, beyond the common contract. A store's test declares its
 * capabilities by overriding {@link ContractSupport#capabilities()}; the tests that need one run
 * only where it is declared.
 */
public enum Capability {
  /**
   * Keys have types that another client can get wrong (a Redis string where a hash belongs).
   * The store's test implements {@link CanvasStoreContract#plantWrongType}, and the contract
   * checks that such a key fails the operations on its project with a {@code StoreException}
   * naming the key, without touching other projects.
   */
  TYPED_KEYS
}
