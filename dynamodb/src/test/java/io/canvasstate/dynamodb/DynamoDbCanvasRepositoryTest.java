package io.canvasstate.dynamodb;

import io.canvasstate.Codec;
import io.canvasstate.contract.CanvasRepositoryContract;
import io.canvasstate.persistence.CanvasRepository;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The repository contract on a real dynalite; every test of the class shares one table. */
class DynamoDbCanvasRepositoryTest extends CanvasRepositoryContract {
  @RegisterExtension
  static final DynaliteServer dynalite = new DynaliteServer();

  private static DynamoDbConfig config;

  @Override
  protected <T> CanvasRepository<T> newRepository(Codec<T> codec) {
    synchronized (DynamoDbCanvasRepositoryTest.class) {
      if (config == null) {
        config = dynalite.config("contract");
      }
    }
    return DynamoDbCanvasRepository.builder(codec).config(config)
        .credentials(dynalite.credentials()).build();
  }
}
