package io.canvasstate.inmemory;

import io.canvasstate.Codec;
import io.canvasstate.contract.CanvasRepositoryContract;
import io.canvasstate.persistence.CanvasRepository;

/** The repository contract on the in-memory repository. */
class InMemoryCanvasRepositoryTest extends CanvasRepositoryContract {
  @Override
  protected <T> CanvasRepository<T> newRepository(Codec<T> codec) {
    return InMemoryCanvasRepository.create(codec);
  }
}
