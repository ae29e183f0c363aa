import { RequestSignal } from '../../../../lib/connectors/http-source/request-signal';
import { waitFor } from '../../../support/wait-for';

describe('connectors/http-source/request-signal', () => {
  it('should abort with the parent reason when the parent aborts', () => {
    // Prepare
    const parent = new AbortController();
    const request = new RequestSignal(parent.signal, 60_000);
    // Act
    parent.abort('stop');
    // Assess
    expect(request.signal.aborted).toBe(true);
    expect(request.signal.reason).toBe('stop');
    expect(request.timedOut).toBe(false);
    request.release();
  });

  it('should start aborted when the parent already is', () => {
    const parent = new AbortController();
    parent.abort();
    const request = new RequestSignal(parent.signal, 60_000);
    expect(request.signal.aborted).toBe(true);
    request.release();
  });

  it('should abort with a TimeoutError after the timeout', async () => {
    const request = new RequestSignal(new AbortController().signal, 20);
    await waitFor(() => request.signal.aborted, 2000);
    expect(request.timedOut).toBe(true);
    expect((request.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('should no longer follow the parent after release', () => {
    const parent = new AbortController();
    const request = new RequestSignal(parent.signal, 60_000);
    request.release();
    parent.abort();
    expect(request.signal.aborted).toBe(false);
  });
});
