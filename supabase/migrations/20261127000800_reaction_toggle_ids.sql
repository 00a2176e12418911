-- toggle_reaction also answers which message and meeting it touched, so the react function can broadcast to
-- meeting:<id> without a second query.
alter type public.reaction_toggle add attribute message_id uuid, add attribute meeting_id uuid;

create or replace function public.toggle_reaction(message_id uuid, emoji text)
returns public.reaction_toggle
language plpgsql volatile security definer set search_path = ''
as $$
declare
  me uuid := private.require_user();
  target public.messages;
  outcome text;
begin
  if not private.is_emoji(toggle_reaction.emoji) then
    perform private.raise_error(400, 'invalid_emoji', 'a reaction is a single emoji');
  end if;
  select * into target from public.messages m where m.id = toggle_reaction.message_id;
  if not found then
    perform private.raise_error(404, 'message_not_found', 'no such message');
  end if;
  if not private.is_meeting_member(target.meeting_id) then
    perform private.raise_error(403, 'not_a_participant', 'join the meeting to react');
  end if;
  if target.deleted_at is not null then
    perform private.raise_error(409, 'message_deleted', 'a deleted message takes no reactions');
  end if;

  -- Serialise one user's toggles on one message so a double click is add-then-remove, never add-add.
  perform pg_advisory_xact_lock(hashtextextended(me::text || '/' || target.id::text, 1));
  delete from public.message_reactions r
   where r.message_id = target.id and r.user_id = me and r.emoji = toggle_reaction.emoji;
  if found then
    outcome := 'removed';
  else
    insert into public.message_reactions (message_id, user_id, emoji)
    values (target.id, me, toggle_reaction.emoji)
    on conflict on constraint message_reactions_message_user_emoji_key do nothing;
    outcome := 'added';
  end if;

  return row(outcome, toggle_reaction.emoji,
             coalesce((select jsonb_object_agg(c.emoji, c.n)
                         from (select r.emoji, count(*) as n from public.message_reactions r
                                where r.message_id = target.id group by r.emoji) c), '{}'::jsonb),
             target.id, target.meeting_id)::public.reaction_toggle;
end;
$$;
