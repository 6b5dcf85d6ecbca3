// Built-in plugin `report`: the `report` stage that turns a run's evaluations into report.md + JSON + SVG plots.
import { ContainerModule } from 'inversify';
import { contributeKind } from '../../core/di/kind-contribution.js';
import { ReportStage } from './report-stage.js';
import { reportSchema } from './report-options.js';

export default new ContainerModule((options) => {
  contributeKind(options, 'report', { point: 'Stage', kind: 'report', description: 'assemble the run report: accuracy tables with standard errors over pairs, best-of-n with bands, claims checked by paired tests, timings, config', schema: reportSchema, impl: ReportStage });
});
