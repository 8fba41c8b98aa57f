import { BroadcastPositions } from './broadcast-positions';

describe('BroadcastPositions', () => {
  it('seeks nothing before any record was handled (the first join starts at the latest offsets)', () => {
    expect(new BroadcastPositions().seeks({ events: [0, 1] })).toEqual([]);
  });

  it('resumes each assigned partition after the highest record handled in it', () => {
    const positions = new BroadcastPositions();
    positions.handled('events', 0, '41');
    positions.handled('events', 0, '42');
    positions.handled('events', 1, '7');
    positions.handled('other', 0, '3');
    expect(positions.seeks({ events: [0, 1, 2] })).toEqual([
      { topic: 'events', partition: 0, offset: '43' },
      { topic: 'events', partition: 1, offset: '8' },
    ]);
  });

  it('never moves a position back, and keeps offsets past 2^53 exact', () => {
    const positions = new BroadcastPositions();
    positions.handled('events', 0, '9007199254740993');
    positions.handled('events', 0, '5');
    expect(positions.seeks({ events: [0] })).toEqual([{ topic: 'events', partition: 0, offset: '9007199254740994' }]);
  });
});
