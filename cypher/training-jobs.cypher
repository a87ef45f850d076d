// Fine-tuning jobs recorded for a policy, with the dataset they used, the
// deployment context and policy version it was compiled for, their status and
// the model they produced: how an audit of a model traces back to its data.
// @param policy iri
MATCH (job:TrainingJob)-[:prov__used]->(:Resource {uri: $policy})
MATCH (job)-[:prov__used]->(dataset:TrainingDataset)
OPTIONAL MATCH (dataset)-[:IN_CONTEXT]->(context)
OPTIONAL MATCH (job)-[:prov__generated]->(model)
RETURN job.uri AS job, job.jobId AS jobId, job.jobStatus AS status, job.trainingMethod AS method, job.baseModel AS baseModel,
       dataset.uri AS dataset, dataset.sha256 AS datasetSha256, context.uri AS context, job.policySha256 AS policySha256,
       model.uri AS model, model.modelId AS modelId, job.jobError AS error
ORDER BY jobId
