-- An agent's proposal for a merchant ('proposed') holds none of the merchant's slot: the
-- merchant may apply itself meanwhile, and accepts or removes the proposal. One proposal
-- per agent, merchant, batch and category.
DROP INDEX applications_one_open;
CREATE UNIQUE INDEX applications_one_open ON applications(organisation_id, batch_id, category_code)
    WHERE state NOT IN ('rejected', 'revoked', 'expired', 'proposed');
CREATE UNIQUE INDEX applications_one_proposal
    ON applications(organisation_id, batch_id, category_code, agent_organisation_id)
    WHERE state = 'proposed';
