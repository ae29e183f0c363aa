export { type Clock, systemClock } from '../core/clock';
export { type HttpRequest, type HttpResponse, type HttpTransport, nodeHttpTransport } from '../core/http';
export { type Logger, createJsonLogger, silentLogger } from '../core/log';
export { createMetrics } from '../core/metrics';
export { createRecordPipeline, type ProducerRetryOptions, type RecordPipeline } from './pipeline';
export { ensureTopic, runConnector, type RunConnectorOptions, type RunResult, type RuntimeDeps } from './runner';
export { deadLetterRecord, openTransformStage, type TransformStage, type TransformStageOptions } from './transform-stage';
export { nextSlot, runPeriodic } from './schedule';
export { type PollWindow, runWindow, type WindowReport, windowSlots } from './window';
