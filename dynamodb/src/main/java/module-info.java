/**
 * CanvasState on DynamoDB: {@link io.canvasstate.dynamodb.DynamoDbCanvasRepository}, the durable
 * side of persistence through the AWS SDK for Java v2.
 */
module io.canvasstate.dynamodb {
  requires transitive io.canvasstate;
  requires transitive software.amazon.awssdk.services.dynamodb;
  requires transitive software.amazon.awssdk.auth;
  requires software.amazon.awssdk.awscore;
  requires software.amazon.awssdk.core;
  requires software.amazon.awssdk.http;
  requires software.amazon.awssdk.http.apache5;
  requires software.amazon.awssdk.regions;
  requires software.amazon.awssdk.retries;
  requires software.amazon.awssdk.retries.api;
  requires static org.jspecify;

  exports io.canvasstate.dynamodb;
}
