import { notificationQueue } from '../../workflows/notification-queue';

describe('notification queue', () => {
  test('starts up to the in-flight limit, then the waiting ones oldest first as others finish', () => {
    const queue = notificationQueue<string>({ maxInFlight: 2, maxWaiting: 10 });
    expect(['a', 'b', 'c', 'd'].map((item) => queue.offer(item))).toEqual([{ start: 'a' }, { start: 'b' }, {}, {}]);
    expect([queue.inFlight, queue.waiting]).toEqual([2, 2]);
    expect(queue.finished()).toBe('c');
    expect(queue.finished()).toBe('d');
    expect([queue.inFlight, queue.waiting]).toEqual([2, 0]);
    expect(queue.finished()).toBeUndefined();
    expect(queue.offer('e')).toEqual({ start: 'e' });
    expect(queue.finished()).toBeUndefined();
    expect(queue.finished()).toBeUndefined();
    expect(queue.inFlight).toBe(0);
    expect(queue.finished()).toBeUndefined();
    expect(queue.inFlight).toBe(0);
  });

  test('beyond the waiting limit the oldest waiting one is dropped', () => {
    const queue = notificationQueue<number>({ maxInFlight: 1, maxWaiting: 3 });
    const offers = Array.from({ length: 6 }, (_, i) => queue.offer(i));
    expect(offers).toEqual([{ start: 0 }, {}, {}, {}, { dropped: 1 }, { dropped: 2 }]);
    expect([queue.finished(), queue.finished(), queue.finished(), queue.finished()]).toEqual([3, 4, 5, undefined]);
  });

  test('the shipped limits: ten in flight, two hundred waiting', () => {
    const queue = notificationQueue<number>();
    const offers = Array.from({ length: 211 }, (_, i) => queue.offer(i));
    expect(offers.filter((o) => o.start !== undefined)).toHaveLength(10);
    expect(offers.filter((o) => o.dropped !== undefined)).toEqual([{ dropped: 10 }]);
    expect([queue.inFlight, queue.waiting]).toEqual([10, 200]);
  });
});
