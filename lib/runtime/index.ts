export { type Clock, systemClock } from '../core/clock';
export { type HttpRequest, type HttpResponse, type HttpTransport, nodeHttpTransport } from '../core/http';
export { type Logger, createJsonLogger, silentLogger } from '../core/log';
export { createMetrics } from '../core/metrics';
export { createRecordPipeline, type ProducerRetryOptions, type RecordPipeline } from './pipeline';
export { assertTransformsRunnable, ensureTopic, runConnector, type RunConnectorOptions, type RunResult, type RuntimeDeps } from './runner';
export { nextSlot, runPeriodic } from './schedule';
export { closeSink, createSink, deadLetterTopicOf, DEFAULT_SINK_RETRY, type Delivery, type DeliveryHooks, deliverRecords, runSinkLoop, SINK_BATCH_RECORDS, SINK_POLL_MS, sinkConsumerOf, startOffsetOf } from './sink';
export { type PollWindow, runWindow, type WindowReport, windowSlots } from './window';
