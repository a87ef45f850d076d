/**
 * Recipes for open models: TRL CLI configurations (`trl sft --config
 * trl-sft.yaml`, `trl dpo --config trl-dpo.yaml`) pointing at a compiled
 * set's folders. Each folder holds train.jsonl, validation.jsonl and
 * test.jsonl, names the datasets library assigns to splits by itself, so
 * `dataset_name` is the folder. Paths are absolute: the recipe runs from
 * wherever the training machine starts it, as long as the folder is there.
 */

import path from 'node:path';
import { stringify } from 'yaml';

export const DEFAULT_OPEN_MODEL = 'Qwen/Qwen2.5-0.5B-Instruct';

/** The two recipe files of a set, by file name. */
export function trlRecipes(folder: string, baseModel = DEFAULT_OPEN_MODEL): Record<string, string> {
  const root = path.resolve(folder);
  const common = {
    model_name_or_path: baseModel,
    dataset_train_split: 'train',
    dataset_test_split: 'validation',
    eval_strategy: 'epoch',
    per_device_train_batch_size: 4,
    gradient_accumulation_steps: 4,
    num_train_epochs: 2,
    bf16: true,
    logging_steps: 10,
    save_strategy: 'epoch',
    report_to: 'none',
    use_peft: true,
    lora_r: 16,
    lora_alpha: 32,
    lora_target_modules: 'all-linear',
  };
  const header = (method: string) =>
    `# TRL ${method} recipe written by 'studio train dataset'. Run: trl ${method} --config ${method === 'sft' ? 'trl-sft.yaml' : 'trl-dpo.yaml'}\n` +
    `# The records' "metadata" column carries the rule IRIs; the trainer ignores columns it does not use.\n`;
  return {
    'trl-sft.yaml': header('sft') + stringify({ ...common, dataset_name: path.join(root, 'sft'), learning_rate: 2e-4, max_length: 2048, assistant_only_loss: true, output_dir: path.join(root, 'runs', 'sft') }),
    'trl-dpo.yaml': header('dpo') + stringify({ ...common, dataset_name: path.join(root, 'dpo'), learning_rate: 5e-6, beta: 0.1, max_length: 2048, output_dir: path.join(root, 'runs', 'dpo') }),
  };
}
