/**
 * {@link io.canvasstate.dynamodb.DynamoDbCanvasRepository}: a
 * {@link io.canvasstate.persistence.CanvasRepository} in one DynamoDB table (one item per
 * object, saves fenced by single-item conditional writes), for the auto-save workers and
 * read-through of {@link io.canvasstate.persistence.Persistence}, configured by
 * {@link io.canvasstate.dynamodb.DynamoDbConfig}.
 */
@NullMarked
package io.canvasstate.dynamodb;

import org.jspecify.annotations.NullMarked;
