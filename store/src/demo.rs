//! Demo data: a believable county for the README's run command and for screenshots.
//! It grows with each capability; loading it twice changes nothing.

use crate::batches::{BatchStatus, NewBatch};
use crate::{Store, StoreResult};
use domain::application::COUNTY;

const DEMO_MARKER: &str = "demo.loaded";

/// What `seed_demo` did, for the command's one-line report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DemoOutcome {
    Loaded,
    AlreadyPresent,
}

impl Store {
    pub async fn seed_demo(&self) -> StoreResult<DemoOutcome> {
        self.seed_reference_data().await?;
        if self.setting(DEMO_MARKER).await?.is_some() {
            return Ok(DemoOutcome::AlreadyPresent);
        }
        // The previous round, recognised in 2024 and now closed.
        self.insert_batch(&NewBatch {
            area_code: COUNTY,
            name_zh: "东至县2023—2024年度放心消费创建",
            name_en: "Dongzhi County trusted-consumption campaign 2023–2024",
            status: BatchStatus::Closed,
            application_opens: "2023-05-01",
            application_closes: "2023-10-31",
            review_opens: "2023-11-01",
            review_closes: "2024-03-31",
        })
        .await?;
        self.set_setting(DEMO_MARKER, &crate::now_text()).await?;
        Ok(DemoOutcome::Loaded)
    }
}
