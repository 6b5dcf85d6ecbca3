// Built-in plugin `basic-stages`: general stages that need no model — `load` (materialize a dataset as a
// records artifact) and `dataset-stats` (counts, label balance, lengths).
import { ContainerModule } from 'inversify';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { LoadStage, loadSchema } from './load-stage.js';
import { DatasetStatsStage, statsSchema } from './dataset-stats-stage.js';

export default new ContainerModule((options) => {
  contributeKind(options, 'basic-stages', { point: 'Stage', kind: 'load', description: 'read a dataset and write it as a normalized records artifact', schema: loadSchema, impl: LoadStage });
  contributeKind(options, 'basic-stages', { point: 'Stage', kind: 'dataset-stats', description: 'counts, label balance, lengths and breakdowns of record sets', schema: statsSchema, impl: DatasetStatsStage });
});
